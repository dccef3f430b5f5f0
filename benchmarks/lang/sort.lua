local a = {}
local x = 12345
for i = 1, 1000000 do x = (x * 16807) % 2147483647; a[i] = x end
table.sort(a, function(p, q) return p < q end)
print(a[1], a[500001], a[1000000])
