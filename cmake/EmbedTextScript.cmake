# Script mode helper of EmbedText.cmake: writes IN's bytes as char literals
# ('\xNN' keeps bytes >= 0x80 valid where char is signed).
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}"
  "// Generated from ${IN}; do not edit.\n"
  "namespace evald::embedded {\n"
  "extern const char ${SYMBOL}[] = {${body} 0x00};\n"
  "}  // namespace evald::embedded\n")
