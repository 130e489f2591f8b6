"""`python -m components coverage`: which nodes get no log shipper, or two, and why.

Plain dicts only, like `review`: the rendered DaemonSets against a node
inventory, by the DaemonSet controller's own rules.
"""
