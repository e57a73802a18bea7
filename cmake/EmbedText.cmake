# evald_embed_text(OUT_VAR NAMESPACE_SYMBOL FILE)
#
# Generates a .cc that defines `extern const char SYMBOL[]` holding FILE's
# bytes, so shipped data (the default policy, the calendars) is built into the
# binaries and a fresh install works without any data directory. The file is
# re-embedded whenever it changes.
function(evald_embed_text out_var symbol file)
  get_filename_component(abs "${file}" ABSOLUTE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${abs} -DOUT=${out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedTextScript.cmake
    DEPENDS "${abs}" ${PROJECT_SOURCE_DIR}/cmake/EmbedTextScript.cmake
    COMMENT "Embedding ${file}")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
