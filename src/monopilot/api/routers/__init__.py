"""Resource routers of /api/v1: (prefix, module, attribute) — one module per resource."""

RESOURCE_ROUTERS: list[tuple[str, str, str]] = [
    ("/me", "monopilot.api.routers.me", "router"),
    ("/event-types", "monopilot.api.routers.event_types", "router"),
    ("/products", "monopilot.api.routers.products", "router"),
    ("/boms", "monopilot.api.routers.products", "boms_router"),
    ("/suppliers", "monopilot.api.routers.partners", "suppliers"),
    ("/customers", "monopilot.api.routers.partners", "customers"),
    ("/purchase-orders", "monopilot.api.routers.orders", "purchase_orders"),
    ("/sales-orders", "monopilot.api.routers.orders", "sales_orders"),
    ("/work-orders", "monopilot.api.routers.production", "router"),
    ("/inventory", "monopilot.api.routers.inventory", "router"),
    ("/license-plates", "monopilot.api.routers.inventory", "lp_router"),
    ("/shipments", "monopilot.api.routers.shipping", "shipments"),
    ("/invoices", "monopilot.api.routers.shipping", "invoices"),
]
