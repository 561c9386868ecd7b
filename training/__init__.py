"""Trainers and evaluation that consume thoughtgym rewards."""
