"""Policies that act in thoughtgym environments."""
