"""Stage 5, the explorer's pure functions: what the Streamlit pages show, without Streamlit.

``app.py`` and ``app_pages/`` hold widgets, caching and layout; every figure
and table they show comes from here or the public API.
"""
