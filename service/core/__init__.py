"""The pure domain: values, state machines, decisions, rules and parsing; no IO."""
