"""Stage 4, publish: disclosure control, briefing tables, exports, charts, free text.

Everything a reader sees outside the library goes through here. Imports
only the earlier stages.
"""
