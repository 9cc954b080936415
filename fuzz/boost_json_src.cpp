// Boost.JSON's implementation, compiled with the fuzz instrumentation (see CMakeLists.txt).
#include <boost/json/src.hpp>
