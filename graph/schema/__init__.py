"""The API's types, by domain word: listings and sellers (types.py), history, the root
query, mutations and subscriptions, pagination and scalars. Each tenant's schema is built
from them in graph/tenant_schema/."""
