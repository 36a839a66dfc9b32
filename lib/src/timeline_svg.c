/* timeline_svg.c - draws a timeline (timeline.c's segments) as one
 * self-contained SVG: one lane per task, time from left to right with a
 * scale in milliseconds; running is a solid bar, ready a thin bar, waiting
 * a pale bar labelled with what it waits on. Nothing outside the file is
 * needed to show it: no scripts, fonts or stylesheets. */
#include <math.h>
#include <string.h>

#include "debug_internal.h"

#define WIDTH 960.0     /* the picture's width */
#define LEFT 190.0      /* room for the lane names */
#define RIGHT 110.0     /* room for how the last task ended */
#define TOP 44.0        /* room for the title and the scale */
#define LANE 30.0       /* height of one lane */
#define CHAR_W 6.2      /* width of a character of the 11px labels */

/* @p s as XML character data (or attribute text). */
static void xml_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            /* Control characters are not allowed in XML 1.0. */
            fputc(c < 0x20 ? '?' : c, out);
        }
    }
}

/* A step between scale ticks: 1, 2 or 5 times a power of ten ms, giving
 * at most about ten ticks over @p span_ms. */
static double tick_step(double span_ms)
{
    double raw = span_ms / 10;
    double p = pow(10, floor(log10(raw > 0 ? raw : 1)));
    if (raw <= p)
        return p;
    if (raw <= 2 * p)
        return 2 * p;
    if (raw <= 5 * p)
        return 5 * p;
    return 10 * p;
}

/* True if lane 0 (the loop's) has anything to show. */
static bool loop_lane_used(const co__timeline_view *v)
{
    if (v->ntimer || v->npost)
        return true;
    for (size_t i = 0; i < v->nseg; i++)
        if (v->seg[i].lane == 0)
            return true;
    return false;
}

int co__timeline_svg(const co__timeline_view *v, FILE *out)
{
    bool loop_lane = loop_lane_used(v);
    size_t first = loop_lane ? 0 : 1;
    size_t lanes = v->nlane - first;
    double span = v->span > 0 ? v->span : 1e-3;
    double plot = WIDTH - LEFT - RIGHT;
    double height = TOP + LANE * (double)lanes + 46;
#define X(t) (LEFT + (t) / span * plot)
#define Y(lane) (TOP + LANE * (double)((lane) - first))

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"sans-serif\" font-size=\"11\">\n",
            WIDTH, height, WIDTH, height);
    fprintf(out, "<title>coflow task timeline</title>\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
                 "<defs><pattern id=\"wait\" width=\"6\" height=\"6\" "
                 "patternUnits=\"userSpaceOnUse\" "
                 "patternTransform=\"rotate(45)\"><rect width=\"6\" "
                 "height=\"6\" fill=\"#e8e8e8\"/><rect width=\"2\" "
                 "height=\"6\" fill=\"#c8c8c8\"/></pattern></defs>\n");

    /* The scale: a tick and a number every so many ms, a faint line down. */
    double step = tick_step(span * 1e3);
    int digits = step < 1 ? (step < 0.1 ? 2 : 1) : 0;
    fprintf(out, "<g stroke=\"#dddddd\">\n");
    for (double ms = 0; ms <= span * 1e3 + 1e-9; ms += step)
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                     "y2=\"%.1f\"/>\n",
                X(ms / 1e3), TOP - 6, X(ms / 1e3),
                TOP + LANE * (double)lanes);
    fprintf(out, "</g>\n<g fill=\"#333333\" text-anchor=\"middle\">\n");
    for (double ms = 0; ms <= span * 1e3 + 1e-9; ms += step)
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%.*f</text>\n",
                X(ms / 1e3), TOP - 10, digits, ms);
    fprintf(out, "</g>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#333333\">"
                 "time (ms)</text>\n",
            LEFT - 70, TOP - 10);

    /* Lane names. */
    for (size_t l = first; l < v->nlane; l++) {
        fprintf(out, "<text x=\"8\" y=\"%.1f\" fill=\"#111111\">",
                Y(l) + LANE / 2 + 4);
        xml_text(out, v->lane[l].name);
        fputs(" <tspan fill=\"#777777\">", out);
        xml_text(out, v->lane[l].coro);
        fputs("</tspan></text>\n", out);
    }

    /* The stretches, then the wait labels over them. */
    for (size_t i = 0; i < v->nseg; i++) {
        const co__segment *s = &v->seg[i];
        if (s->lane < first)
            continue;
        double x = X(s->t0), w = X(s->t1) - x, y = Y(s->lane);
        if (w < 1)
            w = 1; /* a step too short to see still shows */
        switch (s->kind) {
        case CO__SEG_RUN:
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"18\" fill=\"#2b6cb0\"><title>running "
                         "%.3f ms</title></rect>\n",
                    x, y + 6, w, (s->t1 - s->t0) * 1e3);
            break;
        case CO__SEG_READY:
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"6\" fill=\"#dd8a1b\"><title>ready "
                         "%.3f ms</title></rect>\n",
                    x, y + 12, w, (s->t1 - s->t0) * 1e3);
            break;
        case CO__SEG_WAIT:
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"18\" fill=\"url(#wait)\" "
                         "stroke=\"#b0b0b0\"><title>waiting for ",
                    x, y + 6, w);
            xml_text(out, s->label);
            fprintf(out, ", %.3f ms</title></rect>\n",
                    (s->t1 - s->t0) * 1e3);
            break;
        case CO__SEG_JOB:
        case CO__SEG_JOB_LEFT:
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"18\" fill=\"#2c7a7b\"><title>",
                    x, y + 6, w);
            xml_text(out, s->label);
            fprintf(out, "%s, %.3f ms</title></rect>\n",
                    s->kind == CO__SEG_JOB_LEFT ? " (still running)" : "",
                    (s->t1 - s->t0) * 1e3);
            break;
        default:
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"18\" fill=\"#6b8e23\"><title>callback "
                         "%.3f ms</title></rect>\n",
                    x, y + 6, w, (s->t1 - s->t0) * 1e3);
        }
    }
    for (size_t i = 0; i < v->nseg; i++) {
        const co__segment *s = &v->seg[i];
        bool job = s->kind == CO__SEG_JOB || s->kind == CO__SEG_JOB_LEFT;
        if (s->lane < first || (s->kind != CO__SEG_WAIT && !job) || !s->label)
            continue;
        double w = X(s->t1) - X(s->t0);
        size_t fits = w > 8 ? (size_t)((w - 8) / CHAR_W) : 0;
        if (fits < 4)
            continue; /* too narrow: the tooltip still says it */
        char text[64];
        snprintf(text, sizeof text, "%s", s->label);
        if (strlen(text) > fits) {
            size_t cut = fits - 1 < sizeof text - 1 ? fits - 1
                                                    : sizeof text - 1;
            text[cut] = '\0';
            strcat(text, "~");
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">",
                X(s->t0) + 4, Y(s->lane) + LANE / 2 + 4,
                job ? "#ffffff" : "#333333");
        xml_text(out, text);
        fputs("</text>\n", out);
    }

    /* How each task ended, just after its lane's end. */
    for (size_t l = 1; l < v->nlane; l++)
        if (v->lane[l].outcome) {
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555555\">",
                    X(v->lane[l].end) + 4, Y(l) + LANE / 2 + 4);
            xml_text(out, v->lane[l].outcome);
            fputs("</text>\n", out);
        }

    /* Timers and threadsafe posts: marks on the loop's lane. */
    if (loop_lane) {
        for (size_t i = 0; i < v->ntimer; i++)
            fprintf(out, "<path d=\"M%.1f %.1f l-4 -7 h8 z\" "
                         "fill=\"#c53030\"><title>timer fired at %.3f ms"
                         "</title></path>\n",
                    X(v->timer_at[i]), Y(0) + LANE - 4,
                    v->timer_at[i] * 1e3);
        for (size_t i = 0; i < v->npost; i++)
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                         "fill=\"#805ad5\"><title>threadsafe call arrived "
                         "at %.3f ms</title></circle>\n",
                    X(v->post_at[i]), Y(0) + 8, v->post_at[i] * 1e3);
    }

    /* The legend. */
    double ly = TOP + LANE * (double)lanes + 24;
    fprintf(out,
            "<g fill=\"#333333\">\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"12\" "
            "fill=\"#2b6cb0\"/><text x=\"%.1f\" y=\"%.1f\">running</text>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"5\" "
            "fill=\"#dd8a1b\"/><text x=\"%.1f\" y=\"%.1f\">ready (queued, "
            "not yet running)</text>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"12\" "
            "fill=\"url(#wait)\" stroke=\"#b0b0b0\"/><text x=\"%.1f\" "
            "y=\"%.1f\">waiting (for what it says)</text>\n"
            "</g>\n",
            LEFT, ly - 10, LEFT + 30, ly, LEFT + 110, ly - 7, LEFT + 140,
            ly, LEFT + 340, ly - 10, LEFT + 370, ly);
    if (v->njobs) /* only pictures with jobs name them */
        fprintf(out, "<g fill=\"#333333\"><rect x=\"%.1f\" y=\"%.1f\" "
                     "width=\"24\" height=\"12\" fill=\"#2c7a7b\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\">executor job (on a "
                     "worker thread)</text></g>\n",
                LEFT + 540, ly - 10, LEFT + 570, ly);
    fputs("</svg>\n", out);
#undef X
#undef Y
    return ferror(out) ? CO_EWRITE : 0;
}
