/* language — which language the lab speaks: English, or Simplified Chinese.
 *
 * The choice follows gettext's reading of the environment: LC_ALL, else
 * LC_MESSAGES, else LANG names the locale; a "C" or "POSIX" locale means
 * English whatever LANGUAGE says; otherwise LANGUAGE (a colon list, first
 * known language wins) comes before the locale. zh_CN, zh_SG and plain zh
 * are Simplified Chinese; zh_TW, zh_HK and zh_MO (Traditional) and every
 * other language are English. `--lang zh|en` overrides all of it.
 *
 * Chinese needs a terminal that shows UTF-8: without a UTF-8 codeset the
 * choice falls back to English with one line saying so.
 *
 * main exports the choice in SOCKLAB_LANGUAGE ("zh" or "en", i18n_use), so the
 * modules that load lessons (lesson_load, the TUI's menu) read one answer:
 * language_current(). A library user that never sets it gets English. */
#ifndef SOCKLAB_LANGUAGE_H
#define SOCKLAB_LANGUAGE_H

#include <stdbool.h>
#include <stdio.h>

enum language {
	LANGUAGE_EN,
	LANGUAGE_ZH,   /* Simplified Chinese, files named zh_CN */
	LANGUAGE_COUNT
};

/* The code of --lang ("en", "zh"), the PO file directory ("zh_CN"), the
 * language's own name for messages ("Chinese"). */
const char *language_code(enum language language);
const char *language_po_name(enum language language);
const char *language_english_name(enum language language);

/* "zh", "zh_CN", "zh_SG.UTF-8", "zh-CN", "en", "en_US" ...: the language
 * such a name selects, or -1 when socklab has no such language. */
int language_from_name(const char *name);

/* What the environment selects (getenv, as described above); `codeset_utf8`
 * says whether the locale's codeset is UTF-8. `flag` is --lang's value or
 * NULL. When Chinese is chosen without UTF-8, writes the one refusal line
 * to `warn` (may be NULL) and returns English. Pure apart from getenv. */
enum language language_choose(const char *flag, bool codeset_utf8, FILE *warn);

/* Sets LC_CTYPE from the environment (a UTF-8 locale that is not
 * installed falls back to C.UTF-8) and answers whether its codeset is
 * UTF-8. Numbers, times and messages stay in the C locale. */
bool language_setup_locale(void);

/* Removes `--lang X` / `--lang=X` from argv (before a `--`), shifting the
 * rest down; *flag gets the last value. Returns 0, or -1 with a message in
 * *err (caller frees) for a missing or unknown value. */
int language_take_flag(int *argc, char **argv, const char **flag, char **err);


/* The language main chose: SOCKLAB_LANGUAGE, English when unset. */
enum language language_current(void);

#endif
