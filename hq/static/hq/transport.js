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
      var status = document.getElementById("ride-locate-status");
      navigator.geolocation.getCurrentPosition(function (pos) {
        point.value = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        if (status) { status.hidden = true; }
      }, function () {
        // Refused, or no fix outdoors: say so rather than leave the button doing nothing.
        if (status) {
          status.textContent = locate.getAttribute("data-unavailable");
          status.hidden = false;
        }
        point.focus();
      }, { timeout: 15000 });
    });
  }
})();
