"""Console views, one module per screen family; each view is thin: gate, read/call, render."""
