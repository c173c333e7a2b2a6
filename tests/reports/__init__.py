"""Tests of the letters package."""
