"""Thin resolvers: arguments in, loader or store call, items out."""
