// evalctl: see client/evalctl.h and docs/cli.md.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/evalctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* server = std::getenv("EVAL_SERVER");
  const char* token = std::getenv("EVAL_TOKEN");
  return evald::client::RunEvalctl(args, server ? server : "",
                                   token ? token : "", std::cout, std::cerr);
}
