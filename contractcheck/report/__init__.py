"""Render: one module per output format, all fed from the same objects."""
