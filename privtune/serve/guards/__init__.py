"""Output and input guards of `privtune serve` (issue 15): PII redaction and the watermark flag."""
