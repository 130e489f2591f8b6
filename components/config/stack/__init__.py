"""The whole stack: `StackConfig` over the sections, parsing engine config into it, and
the schema, reference and neighbour checks made from it.

The top of config/: only this folder imports both redis/ and filebeat/.
"""
