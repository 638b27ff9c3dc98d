"""Each tenant's schema: the API's types (graph/schema/) with the tenant's declared custom
types (graph/extensions/) in place of their placeholders (build.py, custom_types.py)."""
