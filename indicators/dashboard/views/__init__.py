"""One module per view of the dashboard: its layout and its (thin) callbacks."""
