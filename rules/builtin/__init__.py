"""The eleven rules of RULES.md, one module per family; each rule is one query."""
