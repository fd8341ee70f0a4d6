// Runs one JavaScript snippet of the seed against a test server, unchanged.
// Usage: node --experimental-websocket run_snippet.mjs SNIPPET_FILE
// Environment: WS_BASE (ws://127.0.0.1:PORT), TOKEN, SESSION_ID, RUN_MS, AFTER_OPEN (JS
// evaluated once the socket is open, e.g. "sendMessage('hi')").
import { readFileSync } from "node:fs";
import vm from "node:vm";

const snippet = readFileSync(process.argv[2], "utf8");
const base = process.env.WS_BASE;
const events = [];
const record = (kind, value) => events.push({ kind, value });

const NativeWebSocket = globalThis.WebSocket;
const sockets = [];

class SeedWebSocket extends NativeWebSocket {
  constructor(url, protocols) {
    const real = url
      .replace("ws://localhost:8000", base)
      .replace("your_token", process.env.TOKEN ?? "")
      .replace("your-session-id", process.env.SESSION_ID ?? "");
    super(real, protocols);
    this.pending = [];
    sockets.push(this);
    this.addEventListener("open", () => {
      record("open", null);
      for (const data of this.pending.splice(0)) super.send(data);
      if (process.env.AFTER_OPEN) setTimeout(() => vm.runInContext(process.env.AFTER_OPEN, context), 200);
    });
    this.addEventListener("message", (event) => record("frame", JSON.parse(event.data)));
    this.addEventListener("close", (event) => record("close", { code: event.code, reason: event.reason }));
  }

  send(data) {
    if (this.readyState === NativeWebSocket.CONNECTING) this.pending.push(data);
    else super.send(data);
  }
}

const ui = (name) => (...args) => record("call", { name, args });
const context = vm.createContext({
  WebSocket: SeedWebSocket,
  JSON,
  console: { log: (...args) => record("log", args.join(" ")) },
  setTimeout,
  showNotification: ui("showNotification"),
  updateSessionUI: ui("updateSessionUI"),
  displayMessage: ui("displayMessage"),
  showUserJoined: ui("showUserJoined"),
  showUserLeft: ui("showUserLeft"),
  showTypingIndicator: ui("showTypingIndicator"),
});
vm.runInContext(snippet, context);

setTimeout(() => {
  for (const socket of sockets) socket.close();
  setTimeout(() => {
    process.stdout.write(JSON.stringify(events) + "\n");
    process.exit(0);
  }, 200);
}, Number(process.env.RUN_MS ?? "1500"));
