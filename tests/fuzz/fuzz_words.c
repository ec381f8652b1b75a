/* fuzz_words — words_split, the program command grammar, on arbitrary
 * bytes, and words_show's promise: what it shows splits back into the same
 * words (for ASCII words; other bytes show as $'\xHH', which is bash's and
 * not the grammar's). The consent question shows commands this way, so a
 * word that showed as two, or two as one, would misstate what runs.
 * Seeds: tests/fuzz/corpus-words/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "words.h"

#define FUZZ_MAX_BYTES 4096

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	char *command = malloc(size + 1);
	check(command != NULL);
	memcpy(command, data, size);
	command[size] = '\0';
	struct words words;
	char *err = NULL;
	size_t column = 0;
	if (words_split(&words, command, "/base", &err, &column) < 0) {
		check(err != NULL && column >= 1 && column <= strlen(command) + 1);
		check(words.count == 0);
		free(err);
		free(command);
		return 0;
	}
	check(words.count >= 1 && words.count <= WORDS_MAX && words.argv[words.count] == NULL);
	bool ascii = true;
	for (size_t i = 0; i < size && command[i]; i++)
		ascii &= (unsigned char)command[i] < 0x7f;
	char *shown = words_show(&words);
	check(shown != NULL);
	if (ascii) {
		struct words again;
		check(words_split(&again, shown, NULL, &err, NULL) == 0);
		check(again.count == words.count);
		for (int i = 0; i < words.count; i++)
			check(strcmp(again.argv[i], words.argv[i]) == 0);
		words_done(&again);
	}
	free(shown);
	words_done(&words);
	free(command);
	return 0;
}
