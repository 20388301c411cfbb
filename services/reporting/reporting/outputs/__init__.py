"""What reporting hands out besides JSON: CSV, SVG charts and the HTML report page."""
