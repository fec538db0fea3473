(function(){
  function val(td, type){
    var v = td.getAttribute('data-v'); if (v === null) v = td.textContent;
    if (type === 'num'){ var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th[data-type]').forEach(function(th, col){
      var sort = function(){
        var type = th.getAttribute('data-type');
        var asc = !th.classList.contains('asc');
        table.querySelectorAll('th').forEach(function(h){ h.classList.remove('asc','desc'); });
        th.classList.add(asc ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function(a, b){
          var x = val(a.cells[col], type), y = val(b.cells[col], type);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function(r){ body.appendChild(r); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sort(); });
    });
  });
  var filter = document.getElementById('filter');
  if (filter) filter.addEventListener('input', function(){
    var q = filter.value.toLowerCase();
    document.querySelectorAll('#batches tbody tr').forEach(function(tr){
      tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
})();
