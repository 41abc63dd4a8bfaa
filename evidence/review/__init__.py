"""Review: categorising files (four eyes), veiled media, exports and sharing with other units."""
