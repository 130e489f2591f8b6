"""Reading a stack file, the project file and overrides, before any model is imported.

No pydantic below here: hostile input is refused before the models load
(tests/test_layout.py checks `stack_file`).
"""
