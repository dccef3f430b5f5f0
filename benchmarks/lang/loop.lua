local s = 0
for i = 0, 10000000 - 1 do s = (s + i * 3) % 1000003 end
print(s)
