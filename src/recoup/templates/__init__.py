"""Message and letter templates (Jinja2): email/<language>/ and letters/<language>/, plus shared CSS."""
