/* language — choosing English or Simplified Chinese. */
#include "language.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static const struct {
	const char *code;       /* --lang */
	const char *po_name;    /* directory of the PO files */
	const char *english;    /* for messages */
} languages[] = {
	[LANGUAGE_EN] = { "en", "en", "English" },
	[LANGUAGE_ZH] = { "zh", "zh_CN", "Chinese" },
};
_Static_assert(sizeof languages / sizeof languages[0] == LANGUAGE_COUNT, "one row per language");

/* Chinese regions written in Traditional characters: no translation yet. */
static const char *const traditional_regions[] = { "TW", "HK", "MO" };

const char *language_code(enum language language)
{
	return languages[language].code;
}

const char *language_po_name(enum language language)
{
	return languages[language].po_name;
}

const char *language_english_name(enum language language)
{
	return languages[language].english;
}

/* A name reads language[_REGION][.codeset][@modifier] ("zh-CN" as well). */
int language_from_name(const char *name)
{
	if (!name)
		return -1;
	size_t language_len = strcspn(name, "_-.@");
	if (language_len == 2 && strncasecmp(name, "en", 2) == 0)
		return LANGUAGE_EN;
	if (language_len != 2 || strncasecmp(name, "zh", 2) != 0)
		return -1;
	if (name[2] == '_' || name[2] == '-') {
		const char *region = name + 3;
		size_t region_len = strcspn(region, ".@");
		for (size_t i = 0; i < sizeof traditional_regions / sizeof traditional_regions[0];
		     i++)
			if (region_len == 2 && strncasecmp(region, traditional_regions[i], 2) == 0)
				return -1;
	}
	return LANGUAGE_ZH;
}

static const char *non_empty_env(const char *name)
{
	const char *value = getenv(name);
	return value && *value ? value : NULL;
}

/* The locale name gettext would use for messages. */
static const char *messages_locale(void)
{
	const char *value = non_empty_env("LC_ALL");
	if (!value)
		value = non_empty_env("LC_MESSAGES");
	if (!value)
		value = non_empty_env("LANG");
	return value;
}

static enum language from_environment(void)
{
	const char *locale = messages_locale();
	if (!locale || strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0)
		return LANGUAGE_EN;   /* gettext ignores LANGUAGE in the C locale */
	const char *list = non_empty_env("LANGUAGE");
	while (list && *list) {
		size_t len = strcspn(list, ":");
		char entry[64];
		if (len > 0 && len < sizeof entry) {
			memcpy(entry, list, len);
			entry[len] = '\0';
			int language = language_from_name(entry);
			if (language >= 0)
				return (enum language)language;
		}
		list += len;
		if (*list == ':')
			list++;
	}
	int language = language_from_name(locale);
	return language >= 0 ? (enum language)language : LANGUAGE_EN;
}

enum language language_choose(const char *flag, bool codeset_utf8, FILE *warn)
{
	int chosen = flag ? language_from_name(flag) : (int)from_environment();
	if (chosen < 0)
		chosen = LANGUAGE_EN;
	if (chosen == LANGUAGE_ZH && !codeset_utf8) {
		if (warn)
			fprintf(warn,
				"socklab: Chinese needs a UTF-8 locale (LANG=zh_CN.UTF-8); using "
				"English\n");
		chosen = LANGUAGE_EN;
	}
	return (enum language)chosen;
}

static bool names_utf8(const char *locale)
{
	return locale && (strcasestr(locale, "utf-8") || strcasestr(locale, "utf8"));
}

bool language_setup_locale(void)
{
	/* Only the character type: numbers, times and messages keep the C
	 * locale's form in transcripts and traces (i18n_use sets the
	 * messages for Chinese). */
	const char *ctype = non_empty_env("LC_ALL");
	if (!ctype)
		ctype = non_empty_env("LC_CTYPE");
	if (!ctype)
		ctype = non_empty_env("LANG");
	if (!setlocale(LC_CTYPE, "") && names_utf8(ctype))
		setlocale(LC_CTYPE, "C.UTF-8");   /* zh_CN.UTF-8 asked for but not generated here */
	const char *codeset = nl_langinfo(CODESET);
	return codeset && strcmp(codeset, "UTF-8") == 0;
}

int language_take_flag(int *argc, char **argv, const char **flag, char **err)
{
	int out = 0;
	*err = NULL;
	bool options = true;
	for (int i = 0; i < *argc; i++) {
		const char *value = NULL;
		bool taken = false;
		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
		} else if (options && strcmp(argv[i], "--lang") == 0) {
			if (i + 1 >= *argc) {
				if (asprintf(err, "--lang needs a value: zh or en") < 0)
					*err = NULL;
				return -1;
			}
			value = argv[++i];
			taken = true;
		} else if (options && strncmp(argv[i], "--lang=", 7) == 0) {
			value = argv[i] + 7;
			taken = true;
		}
		if (!taken) {
			argv[out++] = argv[i];
			continue;
		}
		if (language_from_name(value) < 0 || strpbrk(value, "_-.@")) {
			if (asprintf(err,
				     "--lang %s: socklab speaks zh (Simplified Chinese) and en",
				     value) < 0)
				*err = NULL;
			return -1;
		}
		*flag = value;
	}
	if (out < *argc)
		argv[out] = NULL;
	*argc = out;
	return 0;
}

enum language language_current(void)
{
	const char *value = getenv("SOCKLAB_LANGUAGE");
	return value && strcmp(value, "zh") == 0 ? LANGUAGE_ZH : LANGUAGE_EN;
}
