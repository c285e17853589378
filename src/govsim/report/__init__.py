"""Tables, figures and (later) the HTML report; everything here reads saved tables."""
