#!/bin/sh
# Cut the PDF font core/fonts/wqy-microhei-subset.ttf from Debian's fonts-wqy-microhei.
# Only the PDFs use it (web pages use the phone's own fonts); the subset keeps Latin-1,
# general punctuation, CJK punctuation, full-width forms and the whole CJK Unified
# Ideographs block, which covers the rare-but-real name characters (堃喆昇赟玥) that a
# smaller frequency list would drop. Ext-A/B characters (䶮, 𠮷) fall back to the system's
# Hanazono fonts (fonts-hanazono; see core/pdf.py): all of Ext-B would add some 22 MB here.
#
# Usage: tools/make_font_subset.sh [SOURCE.ttc]   (run from anywhere; needs fonttools)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
source_font=${1:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
output="$root/core/fonts/wqy-microhei-subset.ttf"

if [ -x "$root/.venv/bin/pyftsubset" ]; then
    pyftsubset="$root/.venv/bin/pyftsubset"
else
    pyftsubset=pyftsubset
fi

# Font number 0 of the collection is the proportional "WenQuanYi Micro Hei" (1 is Mono).
# All name records are kept so the PDF's font list still says where the font came from.
"$pyftsubset" "$source_font" \
    --font-number=0 \
    --unicodes="U+0020-00FF,U+2000-206F,U+3000-303F,U+FF00-FFEF,U+4E00-9FFF" \
    --layout-features='*' \
    --name-IDs='*' --name-languages='*' \
    --output-file="$output"

# The bundle leaves Debian, so carry the full Apache-2.0 text, not just Debian's pointer to it.
licence="$root/core/fonts/LICENSE-wqy-microhei.txt"
{
    cat /usr/share/doc/fonts-wqy-microhei/copyright
    printf '\n\n===== Full text of the Apache License, Version 2.0 =====\n\n'
    cat /usr/share/common-licenses/Apache-2.0
} > "$licence"
ls -l "$output"
