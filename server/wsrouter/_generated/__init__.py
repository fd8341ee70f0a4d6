# generated from asyncapi.yaml and openapi.yaml by codegen — do not edit
"""Code generated from the specs for the server side; import from its modules."""
