#include "sizes.h"
#include "tap.h"

#include <string.h>

static void good(const char *text, size_t want)
{
    struct gx_err err = {0};
    size_t v = 0;
    int rc = gx_parse_size(text, &v, &err);
    ok(rc == GX_OK && v == want, "size '%s' = %zu (got %zu, rc %d %s)", text, want, v, rc, err.msg);
}

static void bad(const char *text, const char *needle)
{
    struct gx_err err = {0};
    struct gx_size_list l;
    int rc = gx_parse_sizes(text, &l, &err);
    ok(rc == GX_EINPUT && strstr(err.msg, needle), "sizes '%s' rejected with '%s' (got rc %d: %s)",
       text, needle, rc, err.msg);
}

int main(void)
{
    good("1", 1);
    good("8", 8);
    good("4K", 4096);
    good("4k", 4096);
    good("1M", 1u << 20);
    good("1G", 1u << 30);
    good("3M+5", 3 * (1u << 20) + 5);
    good("1G+1M+3", (1u << 30) + (1u << 20) + 3);

    struct gx_size_list l;
    struct gx_err err;
    ok(gx_parse_sizes("1:1G", &l, &err) == GX_OK && l.n == 31 && l.v[0] == 1 &&
           l.v[30] == (1u << 30), "range 1:1G has 31 powers of two");
    ok(gx_parse_sizes("4K:4K", &l, &err) == GX_OK && l.n == 1 && l.v[0] == 4096, "range 4K:4K");
    ok(gx_parse_sizes("3:12", &l, &err) == GX_OK && l.n == 3 && l.v[2] == 12, "range 3:12 = 3,6,12");
    ok(gx_parse_sizes("3:20", &l, &err) == GX_EINPUT && strstr(err.msg, "reaches 12, never 20") &&
           strstr(err.msg, "3:12 or 3:24"), "range 3:20, which doubling never reaches: refused (%s)",
       err.msg);
    ok(gx_parse_sizes("8,1K,8", &l, &err) == GX_EINPUT &&
           strstr(err.msg, "'8' is given twice in '8,1K,8' (items 1 and 3"),
       "a size given twice: refused (%s)", err.msg);
    ok(gx_parse_sizes("1K,8,1024", &l, &err) == GX_EINPUT &&
           strstr(err.msg, "items 1 '1K' and 3 '1024' are both 1024"),
       "a size given twice in two spellings: refused (%s)", err.msg);
    ok(gx_parse_sizes("8,4K,1M,3M+5", &l, &err) == GX_OK && l.n == 4 && l.v[1] == 4096 &&
           l.v[3] == 3 * (1u << 20) + 5, "list 8,4K,1M,3M+5");

    bad("0", "size '0' is out of range (expected 1..1048576G)");
    bad("-5", "size '-5' is out of range");
    bad("1X", "bad size '1X'");
    bad("", "empty item");
    bad("8,,16", "empty item");
    bad("8,", "empty item");
    bad("4K+", "bad size");
    bad("99999999999999999999", "out of range");
    bad("20000000000G", "out of range");
    bad("1G:1K", "MIN is larger than MAX");
    bad("1:2:3", "bad size range");
    bad("1,2:8", "bad size range");
    bad("K", "bad size 'K'");

    ok(gx_size_class(1) == GX_CLASS_TINY && gx_size_class(4096) == GX_CLASS_TINY, "tiny <= 4 KiB");
    ok(gx_size_class(4097) == GX_CLASS_SMALL && gx_size_class(65536) == GX_CLASS_SMALL,
       "small <= 64 KiB");
    ok(gx_size_class(65537) == GX_CLASS_MEDIUM && gx_size_class(1 << 20) == GX_CLASS_MEDIUM,
       "medium <= 1 MiB");
    ok(gx_size_class((1 << 20) + 1) == GX_CLASS_LARGE && gx_size_class(16 << 20) == GX_CLASS_LARGE,
       "large <= 16 MiB");
    ok(gx_size_class((16 << 20) + 1) == GX_CLASS_XLARGE &&
           gx_size_class(128u << 20) == GX_CLASS_XLARGE, "xlarge <= 128 MiB");
    ok(gx_size_class((128u << 20) + 1) == GX_CLASS_HUGE, "huge > 128 MiB");
    ok(strcmp(gx_size_class_name(GX_CLASS_XLARGE), "xlarge") == 0, "class names");

    char buf[32];
    gx_format_size(3 * (1u << 20) + 5, buf, sizeof buf);
    ok(strcmp(buf, "3M+5") == 0, "format 3M+5 (%s)", buf);
    gx_format_size(4096, buf, sizeof buf);
    ok(strcmp(buf, "4K") == 0, "format 4K (%s)", buf);
    gx_format_size(4095, buf, sizeof buf);
    ok(strcmp(buf, "4095") == 0, "format 4095 (%s)", buf);

    /* Bandwidths: from 0.01 GB/s as any value, below in MB/s with an M, never an exponent, at
     * most 8 characters. */
    static const struct {
        double gbs;
        const char *text;
        int in_mbs;
    } bw[] = {{387.8, "387.8", 0},         {1.653, "1.653", 0},       {0.01, "0.01000", 0},
              {0.009044, "9.044M", 1},     {9.044e-05, "0.09044M", 1}, {0.0099996, "10.00M", 1},
              {1.234e-06, "0.00123M", 1},  {4e-9, "0.00000M", 1},     {0, "0", 0}};
    for (size_t i = 0; i < sizeof bw / sizeof *bw; i++) {
        int m = gx_format_gbs(bw[i].gbs, buf, sizeof buf);
        ok(strcmp(buf, bw[i].text) == 0 && m == bw[i].in_mbs && !strchr(buf, 'e') &&
               strlen(buf) <= 8,
           "bandwidth %g GB/s as %s (%s, %s)", bw[i].gbs, bw[i].text, buf, m ? "MB/s" : "GB/s");
    }
    gx_format_gbs_words(9.044e-05, buf, sizeof buf);
    ok(strcmp(buf, "0.09044 MB/s") == 0, "in words below 0.01 GB/s: MB/s (%s)", buf);
    gx_format_gbs_words(1.25, buf, sizeof buf);
    ok(strcmp(buf, "1.250 GB/s") == 0, "in words from 0.01 GB/s: GB/s, three decimals (%s)", buf);
    ok(gx_unit_is_gbs("GB/s") && !gx_unit_is_gbs("us") && !gx_unit_is_gbs(NULL), "GB/s is GB/s");
    return tap_done();
}
