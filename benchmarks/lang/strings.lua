local parts = {}
for i = 0, 200000 - 1 do parts[#parts + 1] = 'ab' .. (i % 10) end
local s = table.concat(parts)
print(#s)
