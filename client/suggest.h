// "Did you mean": the known word nearest to what the user typed, for
// evalctl's refusals of an unknown command, verb or flag.

#ifndef EVALD_CLIENT_SUGGEST_H_
#define EVALD_CLIENT_SUGGEST_H_

#include <string>
#include <vector>

namespace evald::client {

// The candidate with the fewest single-character edits (insert, delete,
// replace, swap two neighbours) from `typed`, if that is at most a third
// of the typed word's length (at least 1) -- a slip, not another word;
// "" otherwise. Ties go to the first candidate.
std::string NearestWord(const std::string& typed,
                        const std::vector<std::string>& candidates);

// " (did you mean \"W\"?)" for the nearest word W, or "".
std::string DidYouMean(const std::string& typed,
                       const std::vector<std::string>& candidates,
                       const std::string& prefix = "");

}  // namespace evald::client

#endif  // EVALD_CLIENT_SUGGEST_H_
