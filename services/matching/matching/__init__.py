"""Matching: explainable bemiddeling between volunteers and tasks across a region."""
