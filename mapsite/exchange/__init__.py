"""Moving a plan in and out of mapsite: spreadsheet MAPs in; CSV, Excel, JSON and Markdown out.

Most teams already keep their mutual action plan in a spreadsheet; ``mapsite import`` turns one
into a deal file without retyping, and ``mapsite export`` hands a deal's plan back to the tools
(spreadsheets, CRMs, documents) the rest of the company uses.
"""
