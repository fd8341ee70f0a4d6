# generated from asyncapi.yaml and openapi.yaml by codegen — do not edit
"""Code generated from the specs for the client side; import from its modules."""
