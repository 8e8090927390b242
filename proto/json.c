/*
 * json.c - JSON text to and from msgpack values (uccn_json.h): what the
 * dump of a store is written in and read back from.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_json.h"
#include "uccn_utf8.h"

struct parser {
	const char *p, *start, *end;
	char *why;
	size_t whylen;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (ps->why && ps->whylen)
		snprintf(ps->why, ps->whylen, "%s at column %zu", what,
			 (size_t)(ps->p - ps->start) + 1);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' ||
				   *ps->p == '\n'))
		ps->p++;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int hex4(struct parser *ps, unsigned *cp)
{
	*cp = 0;
	if (ps->end - ps->p < 4)
		return fail(ps, "a \\u escape is cut short");
	for (int i = 0; i < 4; i++) {
		char ch = *ps->p++;
		unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') :
			     ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) :
			     ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10) : 16u;
		if (d == 16)
			return fail(ps, "a \\u escape has a non-hex digit");
		*cp = *cp << 4 | d;
	}
	return 0;
}

/* A string at ps->p (at its quote) into a malloc'd buffer. */
static int parse_string(struct parser *ps, char **out, size_t *len)
{
	const char *q = ps->p + 1;
	while (q < ps->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, "a string is not closed"); /* named at its quote */
	ps->p++;
	char *s = malloc((size_t)(q - ps->p) + 1);
	size_t n = 0;
	if (!s)
		return fail(ps, "out of memory");
	while (*ps->p != '"') {
		unsigned char ch = (unsigned char)*ps->p++;
		if (ch < 0x20) {
			free(s);
			return fail(ps, "a control character in a string");
		}
		if (ch != '\\') {
			s[n++] = (char)ch;
			continue;
		}
		char e = *ps->p++;
		unsigned cp;
		switch (e) {
		case '"': case '\\': case '/': s[n++] = e; break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u':
			if (hex4(ps, &cp)) {
				free(s);
				return -1;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 &&
			    ps->p[0] == '\\' && ps->p[1] == 'u') {
				unsigned lo;
				ps->p += 2;
				if (hex4(ps, &lo)) {
					free(s);
					return -1;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(s);
					return fail(ps, "a \\u escape of a high surrogate is not "
						    "followed by a low one");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(s, &n, cp); /* never longer than its escape */
			break;
		default:
			free(s);
			return fail(ps, "an unknown escape \\%c", e);
		}
	}
	ps->p++;
	s[n] = '\0';
	/* What the escapes and the raw bytes made must be UTF-8: a lone
	 * surrogate, an overlong form or a stray byte is refused here. */
	uint32_t cp;
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = uccn_utf8_next((const unsigned char *)s + i, n - i, &cp))) {
			free(s);
			return fail(ps, "a string is not UTF-8");
		}
	*out = s;
	*len = n;
	return 0;
}

static int parse_value(struct parser *ps, struct uccn_jv *v, int depth);

static int parse_number(struct parser *ps, struct uccn_jv *v)
{
	const char *q = ps->p;
	bool is_float = false;
	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || *q < '0' || *q > '9')
		return fail(ps, "not a JSON value");
	while (q < ps->end && strchr("0123456789+-.eE", *q)) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			is_float = true;
		q++;
	}
	char buf[64];
	if ((size_t)(q - ps->p) >= sizeof buf)
		return fail(ps, "a number is too long");
	memcpy(buf, ps->p, (size_t)(q - ps->p));
	buf[q - ps->p] = '\0';
	char *endp;
	errno = 0;
	if (is_float) {
		v->type = UCCN_JFLOAT;
		v->f = strtod(buf, &endp);
	} else if (buf[0] == '-') {
		v->type = UCCN_JINT;
		v->i = strtoll(buf, &endp, 10);
	} else {
		v->type = UCCN_JUINT;
		v->u = strtoull(buf, &endp, 10);
	}
	if (*endp || errno)
		return fail(ps, "'%s' is not a number this reads", buf);
	ps->p = q;
	return 0;
}

static int parse_items(struct parser *ps, struct uccn_jv *v, int depth, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (v->len == cap) {
			cap = cap ? cap * 2 : 4;
			struct uccn_jv *g = realloc(v->items, cap * sizeof *g);
			if (!g)
				return fail(ps, "out of memory");
			v->items = g;
			if (object) {
				char **kg = realloc(v->keys, cap * sizeof *kg);
				if (!kg)
					return fail(ps, "out of memory");
				v->keys = kg;
			}
		}
		struct uccn_jv *it = &v->items[v->len];
		memset(it, 0, sizeof *it);
		if (object) {
			size_t kl;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "an object's key must be a string");
			v->keys[v->len] = NULL;
			if (parse_string(ps, &v->keys[v->len], &kl))
				return -1;
			v->len++; /* owned now, freed with v */
			/* Keys are compared and packed as C strings: one holding
			 * U+0000 would pass for the key before it. */
			if (strlen(v->keys[v->len - 1]) != kl)
				return fail(ps, "an object's key holds \\u0000");
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':')
				return fail(ps, "':' expected after an object's key");
			if (parse_value(ps, it, depth + 1))
				return -1;
		} else {
			v->len++;
			if (parse_value(ps, it, depth + 1))
				return -1;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		return fail(ps, "',' or '%c' expected", close);
	}
}

static int parse_value(struct parser *ps, struct uccn_jv *v, int depth)
{
	if (depth > UCCN_JSON_MAX_DEPTH)
		return fail(ps, "nested deeper than %d", UCCN_JSON_MAX_DEPTH);
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "the text ends where a value should be");
	static const struct {
		const char *word;
		enum uccn_jtype type;
		bool b;
	} words[] = {{"null", UCCN_JNULL, false}, {"true", UCCN_JBOOL, true},
		     {"false", UCCN_JBOOL, false}};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);
		if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i].word, n) == 0) {
			ps->p += n;
			v->type = words[i].type;
			v->b = words[i].b;
			return 0;
		}
	}
	switch (*ps->p) {
	case '"':
		v->type = UCCN_JSTR;
		return parse_string(ps, &v->s, &v->len);
	case '[':
		v->type = UCCN_JARRAY;
		return parse_items(ps, v, depth, false);
	case '{':
		v->type = UCCN_JOBJECT;
		return parse_items(ps, v, depth, true);
	default:
		return parse_number(ps, v);
	}
}

static void free_in(struct uccn_jv *v)
{
	for (size_t i = 0; (v->type == UCCN_JARRAY || v->type == UCCN_JOBJECT) && i < v->len; i++) {
		free_in(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
}

void uccn_json_free(struct uccn_jv **v)
{
	if (!v || !*v)
		return;
	free_in(*v);
	free(*v);
	*v = NULL;
}

int uccn_json_parse(const char *text, size_t n, struct uccn_jv **out, char *why, size_t whylen)
{
	struct parser ps = {.p = text, .start = text, .end = text + n, .why = why,
			    .whylen = whylen};
	struct uccn_jv *v = calloc(1, sizeof *v);
	*out = NULL;
	if (!v)
		return fail(&ps, "out of memory");
	int rc = parse_value(&ps, v, 0);
	if (!rc) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			rc = fail(&ps, "more text after the value");
	}
	if (rc) {
		uccn_json_free(&v);
		return -1;
	}
	*out = v;
	return 0;
}

const struct uccn_jv *uccn_json_get(const struct uccn_jv *o, const char *key)
{
	if (!o || o->type != UCCN_JOBJECT)
		return NULL;
	for (size_t i = 0; i < o->len; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->items[i];
	return NULL;
}

int uccn_json_pack(const struct uccn_jv *v, msgpack_packer *pk)
{
	int rc = 0;
	switch (v->type) {
	case UCCN_JNULL: return msgpack_pack_nil(pk);
	case UCCN_JBOOL: return v->b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	case UCCN_JUINT: return msgpack_pack_uint64(pk, v->u);
	case UCCN_JINT: return msgpack_pack_int64(pk, v->i);
	case UCCN_JFLOAT: return msgpack_pack_double(pk, v->f);
	case UCCN_JSTR:
		return msgpack_pack_str(pk, v->len) || msgpack_pack_str_body(pk, v->s, v->len);
	case UCCN_JARRAY:
		rc = msgpack_pack_array(pk, v->len);
		for (size_t i = 0; !rc && i < v->len; i++)
			rc = uccn_json_pack(&v->items[i], pk);
		return rc ? -1 : 0;
	case UCCN_JOBJECT:
		rc = msgpack_pack_map(pk, v->len);
		for (size_t i = 0; !rc && i < v->len; i++) {
			size_t kl = strlen(v->keys[i]);
			rc = msgpack_pack_str(pk, kl) || msgpack_pack_str_body(pk, v->keys[i], kl) ||
			     uccn_json_pack(&v->items[i], pk);
		}
		return rc ? -1 : 0;
	}
	return -1;
}

void uccn_json_write_str(FILE *f, const char *s, size_t n)
{
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			putc(ch, f);
	}
	putc('"', f);
}

int uccn_json_write_msgpack(FILE *f, const msgpack_object *o)
{
	char buf[64];
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: fputs("null", f); return 0;
	case MSGPACK_OBJECT_BOOLEAN: fputs(o->via.boolean ? "true" : "false", f); return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(f, "%llu", (unsigned long long)o->via.u64);
		return 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(f, "%lld", (long long)o->via.i64);
		return 0;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (!isfinite(o->via.f64))
			return -1;
		snprintf(buf, sizeof buf, "%.17g", o->via.f64);
		/* Read back as a float, not an integer. */
		if (!strpbrk(buf, ".eE"))
			strcat(buf, ".0");
		fputs(buf, f);
		return 0;
	case MSGPACK_OBJECT_STR:
		uccn_json_write_str(f, o->via.str.ptr, o->via.str.size);
		return 0;
	case MSGPACK_OBJECT_ARRAY:
		putc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				putc(',', f);
			if (uccn_json_write_msgpack(f, &o->via.array.ptr[i]))
				return -1;
		}
		putc(']', f);
		return 0;
	case MSGPACK_OBJECT_MAP:
		putc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			if (kv->key.type != MSGPACK_OBJECT_STR)
				return -1;
			if (i)
				putc(',', f);
			uccn_json_write_str(f, kv->key.via.str.ptr, kv->key.via.str.size);
			putc(':', f);
			if (uccn_json_write_msgpack(f, &kv->val))
				return -1;
		}
		putc('}', f);
		return 0;
	default:
		return -1;
	}
}
