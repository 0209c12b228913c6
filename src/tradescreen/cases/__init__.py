"""Cases: alerts from screening hits, four-eyes decisions, suppression, the audit chain.

    from tradescreen.cases.audit import open_sink
    with open_sink(settings) as sink:
        sink.emit(event)          # audited; screening events also raise alerts
"""
