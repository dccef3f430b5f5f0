local pts = {}
for i = 0, 999 do pts[#pts + 1] = {x = i, y = i * 2} end
local total = 0
for r = 1, 2000 do
  for i = 1, #pts do local p = pts[i]; total = total + p.x + p.y end
end
print(string.format("%d", total))
