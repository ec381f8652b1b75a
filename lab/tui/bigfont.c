/* bigfont — the projector's large letters: one row of bits a glyph row,
 * the leftmost pixel in the highest of `width` bits. */
#include "bigfont.h"

#include <string.h>

struct glyph {
	char c;
	unsigned char width;                 /* pixels, 3 to 5 (punctuation 1 or 2) */
	unsigned char rows[BIGFONT_ROWS];
};

static const struct glyph glyphs[] = {
	{ 'A', 4, { 0x06, 0x09, 0x0f, 0x09, 0x09 } },   /* .##. #..# #### #..# #..# */
	{ 'B', 4, { 0x0e, 0x09, 0x0e, 0x09, 0x0e } },   /* ###. #..# ###. #..# ###. */
	{ 'C', 4, { 0x07, 0x08, 0x08, 0x08, 0x07 } },   /* .### #... #... #... .### */
	{ 'D', 4, { 0x0e, 0x09, 0x09, 0x09, 0x0e } },   /* ###. #..# #..# #..# ###. */
	{ 'E', 4, { 0x0f, 0x08, 0x0e, 0x08, 0x0f } },   /* #### #... ###. #... #### */
	{ 'F', 4, { 0x0f, 0x08, 0x0e, 0x08, 0x08 } },   /* #### #... ###. #... #... */
	{ 'G', 4, { 0x07, 0x08, 0x0b, 0x09, 0x07 } },   /* .### #... #.## #..# .### */
	{ 'H', 4, { 0x09, 0x09, 0x0f, 0x09, 0x09 } },   /* #..# #..# #### #..# #..# */
	{ 'I', 3, { 0x07, 0x02, 0x02, 0x02, 0x07 } },   /* ### .#. .#. .#. ### */
	{ 'J', 4, { 0x03, 0x01, 0x01, 0x09, 0x06 } },   /* ..## ...# ...# #..# .##. */
	{ 'K', 4, { 0x09, 0x0a, 0x0c, 0x0a, 0x09 } },   /* #..# #.#. ##.. #.#. #..# */
	{ 'L', 4, { 0x08, 0x08, 0x08, 0x08, 0x0f } },   /* #... #... #... #... #### */
	{ 'M', 5, { 0x11, 0x1b, 0x15, 0x11, 0x11 } },   /* #...# ##.## #.#.# #...# #...# */
	{ 'N', 5, { 0x11, 0x19, 0x15, 0x13, 0x11 } },   /* #...# ##..# #.#.# #..## #...# */
	{ 'O', 4, { 0x06, 0x09, 0x09, 0x09, 0x06 } },   /* .##. #..# #..# #..# .##. */
	{ 'P', 4, { 0x0e, 0x09, 0x0e, 0x08, 0x08 } },   /* ###. #..# ###. #... #... */
	{ 'Q', 4, { 0x06, 0x09, 0x09, 0x0b, 0x07 } },   /* .##. #..# #..# #.## .### */
	{ 'R', 4, { 0x0e, 0x09, 0x0e, 0x0a, 0x09 } },   /* ###. #..# ###. #.#. #..# */
	{ 'S', 4, { 0x07, 0x08, 0x06, 0x01, 0x0e } },   /* .### #... .##. ...# ###. */
	{ 'T', 5, { 0x1f, 0x04, 0x04, 0x04, 0x04 } },   /* ##### ..#.. ..#.. ..#.. ..#.. */
	{ 'U', 4, { 0x09, 0x09, 0x09, 0x09, 0x06 } },   /* #..# #..# #..# #..# .##. */
	{ 'V', 5, { 0x11, 0x11, 0x11, 0x0a, 0x04 } },   /* #...# #...# #...# .#.#. ..#.. */
	{ 'W', 5, { 0x11, 0x11, 0x15, 0x1b, 0x11 } },   /* #...# #...# #.#.# ##.## #...# */
	{ 'X', 5, { 0x11, 0x0a, 0x04, 0x0a, 0x11 } },   /* #...# .#.#. ..#.. .#.#. #...# */
	{ 'Y', 5, { 0x11, 0x0a, 0x04, 0x04, 0x04 } },   /* #...# .#.#. ..#.. ..#.. ..#.. */
	{ 'Z', 4, { 0x0f, 0x01, 0x06, 0x08, 0x0f } },   /* #### ...# .##. #... #### */
	{ '0', 4, { 0x06, 0x0b, 0x0d, 0x09, 0x06 } },   /* .##. #.## ##.# #..# .##. */
	{ '1', 3, { 0x02, 0x06, 0x02, 0x02, 0x07 } },   /* .#. ##. .#. .#. ### */
	{ '2', 4, { 0x0e, 0x01, 0x06, 0x08, 0x0f } },   /* ###. ...# .##. #... #### */
	{ '3', 4, { 0x0e, 0x01, 0x06, 0x01, 0x0e } },   /* ###. ...# .##. ...# ###. */
	{ '4', 4, { 0x09, 0x09, 0x0f, 0x01, 0x01 } },   /* #..# #..# #### ...# ...# */
	{ '5', 4, { 0x0f, 0x08, 0x0e, 0x01, 0x0e } },   /* #### #... ###. ...# ###. */
	{ '6', 4, { 0x06, 0x08, 0x0e, 0x09, 0x06 } },   /* .##. #... ###. #..# .##. */
	{ '7', 4, { 0x0f, 0x01, 0x02, 0x04, 0x04 } },   /* #### ...# ..#. .#.. .#.. */
	{ '8', 4, { 0x06, 0x09, 0x06, 0x09, 0x06 } },   /* .##. #..# .##. #..# .##. */
	{ '9', 4, { 0x06, 0x09, 0x07, 0x01, 0x06 } },   /* .##. #..# .### ...# .##. */
	{ '-', 2, { 0x00, 0x00, 0x03, 0x00, 0x00 } },   /* .. .. ## .. .. */
	{ '*', 3, { 0x00, 0x05, 0x02, 0x05, 0x00 } },   /* ... #.# .#. #.# ... */
	{ '=', 3, { 0x00, 0x07, 0x00, 0x07, 0x00 } },   /* ... ### ... ### ... */
	{ '+', 3, { 0x00, 0x02, 0x07, 0x02, 0x00 } },   /* ... .#. ### .#. ... */
	{ '(', 2, { 0x01, 0x02, 0x02, 0x02, 0x01 } },   /* .# #. #. #. .# */
	{ ')', 2, { 0x02, 0x01, 0x01, 0x01, 0x02 } },   /* #. .# .# .# #. */
	{ ',', 1, { 0x00, 0x00, 0x00, 0x01, 0x01 } },   /* . . . # # */
	{ '.', 1, { 0x00, 0x00, 0x00, 0x00, 0x01 } },   /* . . . . # */
	{ ':', 1, { 0x00, 0x01, 0x00, 0x01, 0x00 } },   /* . # . # . */
	{ '_', 3, { 0x00, 0x00, 0x00, 0x00, 0x07 } },   /* ... ... ... ... ### */
	{ '/', 3, { 0x01, 0x01, 0x02, 0x04, 0x04 } },   /* ..# ..# .#. #.. #.. */
	{ '>', 3, { 0x04, 0x02, 0x01, 0x02, 0x04 } },   /* #.. .#. ..# .#. #.. */
	{ '<', 3, { 0x01, 0x02, 0x04, 0x02, 0x01 } },   /* ..# .#. #.. .#. ..# */
	{ '?', 4, { 0x0e, 0x01, 0x06, 0x00, 0x04 } },   /* ###. ...# .##. .... .#.. */
	{ '!', 1, { 0x01, 0x01, 0x01, 0x00, 0x01 } },   /* # # # . # */
	{ '"', 3, { 0x05, 0x05, 0x00, 0x00, 0x00 } },   /* #.# #.# ... ... ... */
	{ ' ', 2, { 0x00, 0x00, 0x00, 0x00, 0x00 } },   /* .. .. .. .. .. */
};

_Static_assert(sizeof glyphs / sizeof glyphs[0] == 53, "the table: A-Z, 0-9 and 17 signs");

static const struct glyph *glyph_for(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
		if (glyphs[i].c == c)
			return &glyphs[i];
	return NULL;
}

static const struct glyph *glyph_or_unknown(char c)
{
	const struct glyph *glyph = glyph_for(c);
	return glyph ? glyph : glyph_for('?');
}

bool bigfont_has(char c)
{
	return c != '\0' && glyph_for(c) != NULL;
}

int bigfont_width(const char *text, int scale)
{
	int columns = 0;
	for (const char *c = text; *c; c++) {
		if ((*c & 0xc0) == 0x80)
			continue;   /* a UTF-8 continuation byte: its character counts once */
		columns += (c == text ? 0 : scale) + glyph_or_unknown(*c)->width * scale;
	}
	return columns;
}

int bigfont_row(const char *text, int scale, int row, char *out, size_t size)
{
	size_t length = 0;
	if (size == 0)
		return 0;
	if (row < 0 || row >= BIGFONT_ROWS) {
		out[0] = '\0';
		return 0;
	}
	for (const char *c = text; *c; c++) {
		if ((*c & 0xc0) == 0x80)
			continue;
		const struct glyph *glyph = glyph_or_unknown(*c);
		for (int gap = c == text ? 0 : scale; gap > 0 && length + 1 < size; gap--)
			out[length++] = ' ';
		for (int pixel = glyph->width - 1; pixel >= 0; pixel--)
			for (int k = 0; k < scale && length + 1 < size; k++)
				out[length++] = glyph->rows[row] >> pixel & 1 ? '#' : ' ';
	}
	out[length] = '\0';
	return (int)length;
}
