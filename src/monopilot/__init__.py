"""MonoPilot Integrations: the connectivity layer of the MonoPilot MES/ERP."""

__version__ = "0.1.0"
