/* bigfont_rows SCALE TEXT — prints TEXT in the projector's large glyphs
 * (lab/tui/bigfont.c), BIGFONT_ROWS lines of '#' and ' ', for the TUI
 * tests to find on a captured screen. */
#include <stdio.h>
#include <stdlib.h>

#include "bigfont.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bigfont_rows SCALE TEXT\n");
		return 2;
	}
	int scale = atoi(argv[1]);
	for (int row = 0; row < BIGFONT_ROWS; row++) {
		char line[1024];
		bigfont_row(argv[2], scale, row, line, sizeof line);
		puts(line);
	}
	return 0;
}
