// SPDX-License-Identifier: GPL-2.0
/*
 * Option value parsers (user/lib/opts.c): times, sizes, counts. Each must
 * take what --help documents and refuse inf, nan, negatives, overflow and
 * absurd values (--interval 1e19 busy-looped, --duration
 * nan never stopped, --sga nan printed 8388608 TiB).
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "opts.h"
#include "unit.h"

static void good_seconds(const char *s, double want)
{
	double v = parse_seconds(s);

	CHECK(v >= 0 && fabs(v - want) <= 1e-9 * (want > 1 ? want : 1),
	      "parse_seconds(\"%s\") = %g, want %g", s, v, want);
}

static void bad_seconds(const char *s)
{
	double v = parse_seconds(s);

	CHECK(v == -1, "parse_seconds(\"%s\") = %g, want -1 (rejected)", s, v);
}

static void good_size(const char *s, unsigned long long want)
{
	unsigned long long b = 12345;

	CHECK(parse_size(s, &b) == 0 && b == want, "parse_size(\"%s\") -> %llu, want %llu",
	      s, b, want);
}

static void bad_size(const char *s)
{
	unsigned long long b = 12345;

	CHECK(parse_size(s, &b) < 0, "parse_size(\"%s\") accepted as %llu", s, b);
}

int main(void)
{
	long l;
	double d;

	good_seconds("1", 1);
	good_seconds("0.5", 0.5);
	good_seconds("2s", 2);
	good_seconds("500ms", 0.5);
	good_seconds("1m", 60);
	good_seconds("1h", 3600);
	good_seconds("0", 0);
	good_seconds("1e3", 1000);
	good_seconds("8760h", 8760 * 3600.0);	/* a year: the longest accepted */

	bad_seconds("");
	bad_seconds("inf");
	bad_seconds("infinity");
	bad_seconds("nan");
	bad_seconds("NaN");
	bad_seconds("-1");
	bad_seconds("-0");
	bad_seconds("+1");
	bad_seconds(" 1");
	bad_seconds("0x10");
	bad_seconds("1e19");	/* overflows a ns counter: busy loop */
	bad_seconds("1e400");	/* ERANGE */
	bad_seconds("1e-400");	/* underflow, not a time anyone means */
	bad_seconds("9000h");	/* over a year */
	bad_seconds("1e308m");	/* finite number, infinite after the unit */
	bad_seconds("5x");
	bad_seconds("5 s");
	bad_seconds("s");

	good_size("4096", 4096);
	good_size("64M", 64ULL << 20);
	good_size("2G", 2ULL << 30);
	good_size("1.5GiB", 3ULL << 29);
	good_size("4k", 4096);
	good_size("1T", 1ULL << 40);
	good_size("0", 0);

	bad_size("");
	bad_size("nan");
	bad_size("NaNG");
	bad_size("inf");
	bad_size("infG");
	bad_size("-1");
	bad_size("-1G");
	bad_size("+1G");
	bad_size(" 1G");
	bad_size("0x1000");
	bad_size("1e30");	/* overflows unsigned long long */
	bad_size("16777216T");	/* 2^64 */
	bad_size("2000T");	/* more than 1 PiB: not a memory size */
	bad_size("1.5");	/* half a byte */
	bad_size("1G!");
	bad_size("G");

	CHECK(parse_long("17", 1, 100, &l) == 0 && l == 17, "parse_long 17");
	CHECK(parse_long("1", 1, 100, &l) == 0 && l == 1, "parse_long 1 (min)");
	CHECK(parse_long("100", 1, 100, &l) == 0 && l == 100, "parse_long 100 (max)");
	CHECK(parse_long("0", 1, 100, &l) < 0, "parse_long below min");
	CHECK(parse_long("101", 1, 100, &l) < 0, "parse_long above max");
	CHECK(parse_long("4294967297", 1, 1000, &l) < 0, "parse_long 2^32+1 (int truncation gave 1)");
	CHECK(parse_long("99999999999999999999", 1, LONG_MAX, &l) < 0, "parse_long overflow");
	CHECK(parse_long("", 0, 10, &l) < 0, "parse_long empty");
	CHECK(parse_long("5x", 0, 10, &l) < 0, "parse_long trailing junk");
	CHECK(parse_long(" 5", 0, 10, &l) < 0, "parse_long leading blank");
	CHECK(parse_long("+5", 0, 10, &l) < 0, "parse_long sign");
	CHECK(parse_long("-5", -10, 10, &l) == 0 && l == -5, "parse_long negative where allowed");

	CHECK(parse_double("2", 0, 100, &d) == 0 && d == 2, "parse_double 2");
	CHECK(parse_double("0.05", 0, 1, &d) == 0 && d == 0.05, "parse_double 0.05");
	CHECK(parse_double("inf", 0, INFINITY, &d) < 0, "parse_double inf");
	CHECK(parse_double("nan", 0, 100, &d) < 0, "parse_double nan");
	CHECK(parse_double("1e400", 0, INFINITY, &d) < 0, "parse_double ERANGE");
	CHECK(parse_double("101", 0, 100, &d) < 0, "parse_double above max");
	CHECK(parse_double("-1", 0, 100, &d) < 0, "parse_double below min");
	CHECK(parse_double("", 0, 100, &d) < 0, "parse_double empty");

	/* name lists (top --tracers "" meant all, vmalock,vmalock counted 2) */
	{
		char buf[64], why[128], *names[4];
		int n;

		n = parse_name_list("vmalock,ptmem", buf, sizeof(buf), names, 4, why, sizeof(why));
		CHECK(n == 2 && !strcmp(names[0], "vmalock") && !strcmp(names[1], "ptmem"),
		      "two names: %d", n);
		n = parse_name_list("faultlat", buf, sizeof(buf), names, 4, why, sizeof(why));
		CHECK(n == 1 && !strcmp(names[0], "faultlat"), "one name: %d", n);
		CHECK(parse_name_list("", buf, sizeof(buf), names, 4, why, sizeof(why)) < 0 &&
		      strstr(why, "empty"), "empty list: %s", why);
		CHECK(parse_name_list("vmalock,vmalock", buf, sizeof(buf), names, 4, why,
				      sizeof(why)) < 0 && strstr(why, "'vmalock' is listed twice"),
		      "duplicate: %s", why);
		CHECK(parse_name_list("a,,b", buf, sizeof(buf), names, 4, why, sizeof(why)) < 0,
		      "empty field");
		CHECK(parse_name_list("a,", buf, sizeof(buf), names, 4, why, sizeof(why)) < 0,
		      "trailing comma");
		CHECK(parse_name_list(",a", buf, sizeof(buf), names, 4, why, sizeof(why)) < 0,
		      "leading comma");
		CHECK(parse_name_list("a,b,c,d,e", buf, sizeof(buf), names, 4, why, sizeof(why)) < 0,
		      "over max");
		CHECK(parse_name_list("0123456789012345678901234567890123456789012345678901234567890123456789",
				      buf, sizeof(buf), names, 4, why, sizeof(why)) < 0, "too long");
	}
	CHECK(parse_fraction("0.25") == 0.25, "fraction 0.25");
	CHECK(parse_fraction("25%") == 0.25, "fraction 25%%");
	CHECK(parse_fraction("1") == 1 && parse_fraction("100%") == 1, "fraction 1");
	CHECK(parse_fraction("0") < 0 && parse_fraction("0%") < 0, "fraction 0");
	CHECK(parse_fraction("1.5") < 0 && parse_fraction("101%") < 0, "fraction over 1");
	CHECK(parse_fraction("nan") < 0 && parse_fraction("inf") < 0, "fraction nan/inf");
	CHECK(parse_fraction("0x0.8") < 0, "fraction in hex");
	CHECK(parse_fraction(" 0.5") < 0 && parse_fraction("") < 0 && parse_fraction("%") < 0,
	      "fraction blank, empty, bare %%");
	{
		int v[16], n;

		n = parse_int_list("1,2,4", v, 16);
		CHECK(n == 3 && v[0] == 1 && v[1] == 2 && v[2] == 4, "list 1,2,4: %d", n);
		n = parse_int_list("1-4", v, 16);
		CHECK(n == 4 && v[0] == 1 && v[3] == 4, "range 1-4: %d", n);
		n = parse_int_list("2-8:3,10", v, 16);
		CHECK(n == 4 && v[0] == 2 && v[1] == 5 && v[2] == 8 && v[3] == 10,
		      "range with step: %d", n);
		n = parse_int_list("3,", v, 16);
		CHECK(n == 1 && v[0] == 3, "trailing comma: %d", n);
		CHECK(parse_int_list("", v, 16) < 0, "empty list");
		CHECK(parse_int_list("1,,2", v, 16) < 0, "empty entry");
		CHECK(parse_int_list("0", v, 16) < 0, "zero");
		CHECK(parse_int_list("1000001", v, 16) < 0, "over 1000000");
		CHECK(parse_int_list("4-2", v, 16) < 0, "backwards range");
		CHECK(parse_int_list("5:2", v, 16) < 0, "step without range");
		CHECK(parse_int_list("1-8:0", v, 16) < 0, "step 0");
		CHECK(parse_int_list("+1", v, 16) < 0 && parse_int_list(" 1", v, 16) < 0,
		      "sign, blank");
		CHECK(parse_int_list("1-20", v, 16) < 0, "more than max");
		CHECK(parse_int_list("1x", v, 16) < 0, "junk");
	}
	CHECK(tag_is_valid("patched"), "tag patched");
	CHECK(tag_is_valid("thp-off_2.1"), "tag thp-off_2.1");
	CHECK(!tag_is_valid(""), "empty tag");
	CHECK(!tag_is_valid("a b"), "tag with a blank");
	CHECK(!tag_is_valid("a\tb"), "tag with a tab");
	CHECK(!tag_is_valid("a\rb"), "tag with a CR");
	CHECK(!tag_is_valid("a,b"), "tag with a comma");
	CHECK(!tag_is_valid("tag:x"), "tag with a colon");
	CHECK(!tag_is_valid("0123456789012345678901234567890123456789012345678901234567890123456789"),
	      "tag of 70 characters");
	return unit_done("test_opts");
}
