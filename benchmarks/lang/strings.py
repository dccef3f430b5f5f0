s = ''
for i in range(200000):
    s += 'ab' + str(i % 10)
print(len(s))
