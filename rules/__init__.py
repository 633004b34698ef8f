"""The cross-check rules (监督模型): reference rosters, the rules that compare them with what villages
disclose, and the graded warnings they raise into the handlers' queue (RULES.md)."""
