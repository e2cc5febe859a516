// The transport sheet: the print button, and « use my position » for the pick-up point.
(function () {
  "use strict";
  var print = document.getElementById("transport-print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  var locate = document.getElementById("ride-locate");
  var point = document.getElementById("id_point");
  if (locate && point && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        point.value = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      });
    });
  }
})();
