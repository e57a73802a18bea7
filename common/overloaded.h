// The visitor of std::visit made of lambdas, one per alternative:
//   std::visit(Overloaded{[](const A&) {...}, [](const B&) {...}}, v);

#ifndef EVALD_COMMON_OVERLOADED_H_
#define EVALD_COMMON_OVERLOADED_H_

namespace evald {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace evald

#endif  // EVALD_COMMON_OVERLOADED_H_
