"""How a tenant's schema executes: selections run as programs of steps (execution.py,
plans.py), the attributes a query reads (projection.py), a stable code on every error
(error_codes.py), and the one module that touches Strawberry's internals (internals.py)."""
