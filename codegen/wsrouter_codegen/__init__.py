"""Code generation from ``asyncapi.yaml`` and ``openapi.yaml``.

The generator is a pipeline: :mod:`.load` reads a spec and resolves ``$ref``s,
:mod:`.asyncapi` and :mod:`.openapi` turn it into the typed intermediate model of
:mod:`.model`, and :mod:`.emit` renders that model through logic-free templates and
formats the result. Problems are collected along the way and reported together,
each with the JSON pointer of the spec location that caused it.
"""

from wsrouter_codegen.errors import Problem, SpecError
from wsrouter_codegen.generate import GeneratedFile, Outputs, generate

__all__ = ["GeneratedFile", "Outputs", "Problem", "SpecError", "generate"]
